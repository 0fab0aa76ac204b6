"""The loss landscape around a model's weights: the trajectory recorder the training
workers keep, what a landscape is computed from, its worker and its controller."""
