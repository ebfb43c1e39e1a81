"""ultralow.weather"""
