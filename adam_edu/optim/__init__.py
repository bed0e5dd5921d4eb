"""The optimizer family in plain numpy, one small file per optimizer.

Every optimizer is an immutable object holding validated hyperparameters, with two pure methods::

    opt = Adam(lr=1e-3)  # the paper's defaults; bad values raise here
    state = opt.init(theta)  # t = 0, zero moments
    theta, state = opt.step(theta, grad, state)

From gradient descent to Adam and what came after: :class:`SGD`, :class:`Momentum`, :class:`Nesterov`,
:class:`AdaGrad`, :class:`RMSProp`, :class:`Adam`, :class:`AdaMax`, :class:`AMSGrad`, :class:`AdamW`,
:class:`NAdam`, :class:`RAdam`; and beside them :class:`AdaDelta`, :class:`RMSPropMomentum`, :class:`Lion`,
:class:`Yogi`, :class:`Adafactor`. :func:`~adam_edu.optim.memory.state_floats` counts the floats any of their
states keeps.
"""

from .adadelta import AdaDelta
from .adafactor import Adafactor
from .adagrad import AdaGrad
from .adam import Adam
from .adamax import AdaMax
from .adamw import AdamW
from .amsgrad import AMSGrad
from .base import Optimizer
from .lion import Lion
from .momentum import Momentum, Nesterov
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSProp
from .rmsprop_momentum import RMSPropMomentum
from .sgd import SGD
from .yogi import Yogi

__all__ = [
    "SGD",
    "AMSGrad",
    "AdaDelta",
    "AdaGrad",
    "AdaMax",
    "Adafactor",
    "Adam",
    "AdamW",
    "Lion",
    "Momentum",
    "NAdam",
    "Nesterov",
    "Optimizer",
    "RAdam",
    "RMSProp",
    "RMSPropMomentum",
    "Yogi",
]
