"""ultralow.cluster"""
