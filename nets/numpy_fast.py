"""The paper's networks (A3C FF and LSTM, and the Q-network, all on the DQN
torso) written out in numpy, forward and backward, over a Chainer model's arrays.

Why: a batch-1 pass through Chainer spends most of its time in Python
bookkeeping (a FunctionNode per operation, forward and backward) and in an
im2col that copies 64 slices.  Here the backward pass is written by hand.  The
Chainer model stays the definition, the file format and the reference: the
tests check that both give the same loss and gradients.  Both convolutions
have modules of their own (`nets.conv1`, `nets.conv2`: products over a
space-to-depth copy of their input, without an im2col copy).
"""
import numpy as np

from nets import conv1, conv2, linear, lstm
from nets.actor_critic import A3CFF, A3CLSTM
from nets.torso import DQNHead
from policies import SoftmaxDistribution, log_softmax
from q_functions import QFunction


def supports(model):
    return (type(model) in (A3CFF, A3CLSTM, QFunction) and type(model[0]) is DQNHead
            and model[0][0].W.dtype == np.float32)


def _concat_caches(caches):
    if len(caches) == 1:  # the queue learner's one batch: copying it cost 14 % of its time
        return caches[0]
    h = np.concatenate([c[0] for c in caches])
    torso = tuple(np.concatenate(parts) for parts in zip(*(c[1] for c in caches)))
    recurrent = None
    if caches[0][2] is not None:
        recurrent = tuple(np.concatenate(parts) for parts in zip(*(c[2] for c in caches)))
    return h, torso, recurrent


def torso_forward(p, obs):
    """The DQN torso on uint8 frames: (output (B, 256), cache for `torso_backward`)."""
    h1, x1 = conv1.forward(p['/0/0/W'].array, p['/0/0/b'].array, np.asarray(obs))
    f, x2 = conv2.forward(p['/0/1/W'].array, p['/0/1/b'].array, h1)
    # W @ f.T, not f @ W.T: OpenBLAS takes half the time with the 2.6 MB
    # weights on the left (0.22 against 0.41 ms at 5 frames; docs/torso.md).
    h3 = np.ascontiguousarray((p['/0/2/W'].array @ f.T).T)
    h3 += p['/0/2/b'].array
    np.maximum(h3, 0, out=h3)
    return h3, (x1, h1, x2, f)


def torso_backward(p, dh, cache, h3, n):
    """Gradients of the torso's parameters into their `.grad`, from d(output)
    `dh` of the first `n` rows and the output `h3` itself."""
    x1, h1, x2, f = cache
    dh *= h3 > 0
    linear.weight_grad(dh, f[:n], p['/0/2/W'].grad)
    p['/0/2/b'].grad[...] = dh.sum(axis=0)
    dW2, db2, d1, db1 = conv2.backward(p['/0/1/W'].array, dh @ p['/0/2/W'].array, f, x2, h1)
    p['/0/1/W'].grad[...] = dW2
    p['/0/1/b'].grad[...] = db2
    p['/0/0/W'].grad[...] = conv1.weight_grad(d1, x1)
    p['/0/0/b'].grad[...] = db1


def softmax_loss_grad(logits, actions, adv, beta):
    """-sum log pi(a|s) adv - beta sum H, and its gradient by the logits."""
    logp = log_softmax(logits)
    prob = np.exp(logp)
    entropy = -(prob * logp).sum(axis=1)
    rows = np.arange(len(actions))
    loss = -(logp[rows, actions] * adv).sum() - beta * entropy.sum()
    dz = prob * adv[:, None]
    dz[rows, actions] -= adv
    dz += beta * prob * (logp + entropy[:, None])
    return loss, dz


def actor_critic_loss_grad(out, v, actions, returns, beta, v_loss_coef, advantages,
                           policy_loss_grad):
    """The A3C loss of a batch from the policy's outputs `out` and the values
    `v`, with its gradients by both (float32); the policy's advantages are
    returns - V unless given (V-trace gives its own)."""
    R = np.asarray(returns, dtype=np.float32)
    adv = R - v if advantages is None else np.asarray(advantages, dtype=np.float32)
    pi_loss, dout = policy_loss_grad(out, actions, adv, beta)
    loss = pi_loss + v_loss_coef * 0.5 * ((R - v) ** 2).sum()
    return float(loss), dout.astype(np.float32), (v_loss_coef * (v - R)).astype(np.float32)


class NumpyA3C:
    """Reads the model's parameter arrays on every call, so it sees syncs, and
    writes gradients into the model's `.grad` arrays like `backward()` would."""

    def __init__(self, model):
        self.model = model
        self.lstm = type(model) is A3CLSTM
        p = dict(model.namedparams())
        self.p = p
        self.pi, self.v = ('/2/0/', '/3/0/') if self.lstm else ('/1/0/', '/2/0/')
        for param in p.values():
            param.grad = np.zeros_like(param.array)
        # The policy's part of the loss, and its gradient by the policy output:
        # another policy (nets.numpy_vector's Gaussian) puts its own here.
        self.policy_loss_grad = softmax_loss_grad

    def forward(self, obs, state):
        """(logits (T, A), values (T,), new state, cache for `backward`)."""
        h, torso = torso_forward(self.p, obs)
        lstm_cache = None
        if self.lstm:
            h, state, lstm_cache = lstm.forward(self.p, h, state)
        return self._heads(h) + (state, (h, torso, lstm_cache))

    def forward_sequences(self, obs, states, sequences):
        """The queue learner's pass over a batch of segments: (logits, values,
        cache for `loss_and_grads`) of the rows obs, the torso and the heads
        over all of them at once, the LSTM over each sequence (sequences[k]:
        its rows, in order) from its state states[k]."""
        h, torso = torso_forward(self.p, obs)
        lstm_cache = None
        if self.lstm:
            h, lstm_cache = lstm.forward_sequences(self.p, h, states, sequences)
        return self._heads(h) + ((h, torso, lstm_cache),)

    def step(self, obs, state):
        """(logits, values, states after) of one step of each of B games,
        each from its row of `state`, for acting only."""
        h = torso_forward(self.p, obs)[0]
        if self.lstm:
            state = lstm.step(self.p, h, state)
            h = state[1]
        return self._heads(h) + (state,)

    def _heads(self, h):
        p = self.p
        logits = h @ p[self.pi + 'W'].array.T + p[self.pi + 'b'].array
        v = h @ p[self.v + 'W'].array[0] + p[self.v + 'b'].array[0]
        return logits, v

    def distribution(self, logits):
        """The policy, over arrays, of what `forward` returned."""
        return SoftmaxDistribution(logits)

    def loss_and_grads(self, steps, actions, returns, beta, v_loss_coef, advantages=None,
                       lengths=None):
        """The loss of `a3c.a3c_loss`, its gradient left in the model's `.grad`.

        `steps` are the (policy output, values, cache) that `forward` returned: while
        acting, the weights have not changed since (the agent syncs only at a
        segment's start), so they are exactly the activations the update needs
        and nothing is computed twice.  `returns` are the value targets; the
        policy's advantages are returns - V unless given (V-trace gives its own).
        `lengths`: the LSTM's sequences' steps, one after the other in the
        loss's rows (`forward_sequences`' segments), one sequence without."""
        n = len(actions)
        out = np.concatenate([s[0] for s in steps])[:n]
        v = np.concatenate([s[1] for s in steps])[:n]
        cache = _concat_caches([s[2] for s in steps])
        loss, dout, dv = actor_critic_loss_grad(out, v, actions, returns, beta, v_loss_coef,
                                                advantages, self.policy_loss_grad)
        self._backward(dout, dv, cache, n, lengths)
        return loss

    def _backward(self, dz, dv, cache, n, lengths=None):
        p = self.p
        h, torso, lstm_cache = cache
        h = h[:n]
        Wpi, Wv = p[self.pi + 'W'].array, p[self.v + 'W'].array
        p[self.pi + 'W'].grad[...] = dz.T @ h
        p[self.pi + 'b'].grad[...] = dz.sum(axis=0)
        p[self.v + 'W'].grad[...] = dv @ h
        p[self.v + 'b'].grad[...] = dv.sum()
        dh = dz @ Wpi + np.outer(dv, Wv[0])
        if self.lstm:
            dh = lstm.backward(p, dh, lstm_cache, lengths)
        h3 = (h if not self.lstm else lstm_cache[0])[:n]
        torso_backward(p, dh, torso, h3, n)


class NumpyQ:
    """The Q-network: the torso and one linear layer to a value per action.
    Like NumpyA3C it reads the model's arrays on every call and leaves its
    gradient in their `.grad`."""

    def __init__(self, model):
        self.p = dict(model.namedparams())

    def forward(self, obs):
        """(Q values (B, A), cache for the gradient)."""
        h, torso = torso_forward(self.p, obs)
        return h @ self.p['/1/0/W'].array.T + self.p['/1/0/b'].array, (h, torso)

    def loss_and_grads(self, obs, actions, targets):
        """sum (y - Q(s, a))^2 / 2 over a batch, and its gradient."""
        p = self.p
        for param in p.values():
            if param.grad is None:
                param.grad = np.zeros_like(param.array)
        q, (h, torso) = self.forward(obs)
        rows = np.arange(len(actions))
        error = (q[rows, actions] - targets).astype(np.float32)
        dq = np.zeros_like(q)
        dq[rows, actions] = error
        p['/1/0/W'].grad[...] = dq.T @ h
        p['/1/0/b'].grad[...] = dq.sum(axis=0)
        torso_backward(p, dq @ p['/1/0/W'].array, torso, h, len(actions))
        return float(0.5 * (error.astype(np.float64) ** 2).sum())
