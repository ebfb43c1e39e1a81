"""ultralow.optimise"""
