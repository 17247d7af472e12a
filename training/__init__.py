"""Training: data set loaders, phase 1/2/3 trainers, environments, metrics, Hub publishing."""
