"""Discounted returns of a segment."""
import numpy as np


def n_step_returns(rewards, bootstrap, gamma):
    """R_t = r_t + gamma r_{t+1} + ... + gamma^k bootstrap, computed backwards."""
    R = bootstrap
    returns = np.empty(len(rewards))
    for i in reversed(range(len(rewards))):
        R = rewards[i] + gamma * R
        returns[i] = R
    return returns
