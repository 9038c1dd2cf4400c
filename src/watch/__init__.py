"""appealwatch: watch the news for people at risk and flag changes in their situation."""

__version__ = "0.1.0"
