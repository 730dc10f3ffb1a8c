"""docker-tutor: a hands-on terminal tutor for pushing images to a registry."""

__version__ = "0.1.0"
