"""The worker layer: chat models, tools and functions as workers; built-in offline workers."""
