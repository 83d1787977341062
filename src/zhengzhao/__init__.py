"""Zhengzhao (电子证照): a region's electronic license platform."""

__version__ = "0.1.0"
