"""ultralow.templates"""
