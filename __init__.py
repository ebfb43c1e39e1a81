"""ultralow: find envelope, window, heat-pump and PV packages that make a building meet
China's ultra-low-energy (GB/T 51350-2019) and GB 55015-2021 targets, with EnergyPlus."""

__version__ = "0.1.0"
