"""adam-edu: the Adam optimizer from first principles.

The helper package shared by the course's notebooks, exercises and labs. The core
(:mod:`adam_edu.optim`, :mod:`adam_edu.functions`, :mod:`adam_edu.trajectories`) needs numpy alone;
plotting needs matplotlib, and the labs need PyTorch, imported only when used.
"""

__version__ = "0.1.0"
