"""The four models of the paper's Section 6, at any size: logistic regression, an MLP with dropout, a
small convnet and a variational autoencoder.

Quick mode builds them small (for 5,000 MNIST digits, or the 8x8 digits); full mode at the paper's sizes (see
:mod:`adam_edu.labs.experiments`). Each model maps a batch of inputs to class scores (logits), except
the VAE, whose :meth:`VAE.loss` returns the negative ELBO.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .backend import require_torch

torch = require_torch()
nn = torch.nn
F = torch.nn.functional


def he_init(model: nn.Module) -> nn.Module:
    """He (Kaiming) normal initialisation for every conv and linear weight, zero biases; returns ``model``."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model


class LogisticRegression(nn.Module):
    """Multiclass logistic regression: one linear layer on the flattened input (Fig. 1)."""

    def __init__(self, n_features: int, n_classes: int, input_dropout: float = 0.0):
        super().__init__()
        self.dropout = nn.Dropout(input_dropout)
        self.linear = nn.Linear(n_features, n_classes)
        nn.init.zeros_(self.linear.weight)  # convex: start every optimizer at the same, neutral point
        nn.init.zeros_(self.linear.bias)

    def forward(self, x):
        return self.linear(self.dropout(x.flatten(1)))


class MLP(nn.Module):
    """Fully connected ReLU network with dropout on the input and after each hidden layer (Fig. 2)."""

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        hidden: Sequence[int] = (256, 256),
        input_dropout: float = 0.2,
        hidden_dropout: float = 0.5,
    ):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten(), nn.Dropout(input_dropout)]
        width = n_features
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(hidden_dropout)]
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class ConvNet(nn.Module):
    """A convnet in the paper's style (Fig. 3): conv-ReLU layers with max-pooling, then fully connected layers.

    Parameters
    ----------
    in_channels, image_size, n_classes : int
        Input channels, height (= width) of the images, number of classes.
    channels : sequence of int
        Output channels of each convolution (the paper: 64, 64, 128 with 5x5 kernels).
    kernel_size : int
        Side of the square kernels ("same" padding).
    pool_after : sequence of int
        Indices of the convolutions followed by a 2x2 max-pool.
    hidden : sequence of int
        Widths of the fully connected hidden layers (the paper: 1000).
    dropout : bool
        The paper's "with dropout": dropout 0.2 on the input and 0.5 on the fully connected layers.
    """

    def __init__(
        self,
        in_channels: int,
        image_size: int,
        n_classes: int,
        channels: Sequence[int] = (16, 32, 64),
        kernel_size: int = 3,
        pool_after: Sequence[int] = (1, 2),
        hidden: Sequence[int] = (128,),
        dropout: bool = False,
    ):
        super().__init__()
        layers: list[nn.Module] = [nn.Dropout(0.2)] if dropout else []
        size, width = image_size, in_channels
        for i, out in enumerate(channels):
            layers += [nn.Conv2d(width, out, kernel_size, padding=kernel_size // 2), nn.ReLU()]
            if i in pool_after:
                layers.append(nn.MaxPool2d(2))
                size //= 2
            width = out
        layers.append(nn.Flatten())
        width = width * size * size
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()] + ([nn.Dropout(0.5)] if dropout else [])
            width = h
        layers.append(nn.Linear(width, n_classes))
        self.net = he_init(nn.Sequential(*layers))

    def forward(self, x):
        return self.net(x)


class VAE(nn.Module):
    r"""Variational autoencoder with softplus hidden layers and a Bernoulli decoder (Fig. 4).

    Encoder :math:`x \to h \to (\mu, \log\sigma^2)`, decoder :math:`z \to h \to` logits of the pixels.
    :meth:`loss` is the negative evidence lower bound per example, in nats, with one sample of
    :math:`z` (the reparameterisation trick).
    """

    def __init__(self, n_features: int, hidden: int = 128, latent: int = 8):
        super().__init__()
        self.encoder = nn.Linear(n_features, hidden)
        self.to_mean = nn.Linear(hidden, latent)
        self.to_logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Linear(latent, hidden)
        self.to_logits = nn.Linear(hidden, n_features)

    def forward(self, x):
        """Logits of the reconstruction, the posterior mean and its log-variance."""
        h = F.softplus(self.encoder(x.flatten(1)))
        mean, logvar = self.to_mean(h), self.to_logvar(h)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        return self.to_logits(F.softplus(self.decoder(z))), mean, logvar

    def loss(self, x):
        r"""Negative ELBO, averaged over the batch: reconstruction (Bernoulli) + :math:`KL(q(z|x)\,\|\,N(0, I))`."""
        target = x.flatten(1)
        logits, mean, logvar = self(x)
        reconstruction = F.binary_cross_entropy_with_logits(logits, target, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mean.square() - logvar.exp())
        return (reconstruction + kl) / len(x)


def n_parameters(model: nn.Module) -> int:
    """Number of trainable values in ``model``."""
    return sum(math.prod(p.shape) for p in model.parameters() if p.requires_grad)
