"""ultralow.sim"""
