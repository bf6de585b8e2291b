"""Train kanat's beat and downbeat network and write src/kanat/data/beatnet.npz.

Usage (PyTorch is needed here only, not by kanat itself)::

    python -m venv /tmp/trainenv && /tmp/trainenv/bin/pip install torch numpy
    .venv/bin/python scripts/make_beat_data.py --out out/beatdata
    /tmp/trainenv/bin/python scripts/train_beats.py --data out/beatdata [--epochs 60]

The network is the one :mod:`kanat.listen.beatnet` runs in numpy (same
layer names and shapes). Targets: 1 on the frame of each counted beat (and
of each downbeat), 0.5 on the frames either side; binary cross-entropy,
Adam, random excerpts of 20 s, 10 % of the pieces held out to choose the
best epoch. The weights are saved as float32 arrays.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
HOP_S = 512 / 22050
CHANNELS = 32
N_BLOCKS = 10
SEGMENT = 860  # frames, about 20 s


class Block(nn.Module):
    def __init__(self, c: int, dilation: int, dropout: float):
        super().__init__()
        self.dil = nn.Conv1d(c, c, 5, dilation=dilation, padding=2 * dilation)
        self.mix = nn.Conv1d(c, c, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return nn.functional.elu(x + self.mix(self.drop(nn.functional.elu(self.dil(x)))))


class BeatNet(nn.Module):
    def __init__(self, n_in: int = 128, c: int = CHANNELS, n_blocks: int = N_BLOCKS, dropout: float = 0.1):
        super().__init__()
        self.inp = nn.Conv1d(n_in, c, 3, padding=1)
        self.blocks = nn.ModuleList(Block(c, 2**i, dropout) for i in range(n_blocks))
        self.out = nn.Conv1d(c, 2, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):  # x (N, 128, T) -> logits (N, 2, T)
        x = self.drop(nn.functional.elu(self.inp(x)))
        for b in self.blocks:
            x = b(x)
        return self.out(x)


def targets(n: int, times: np.ndarray) -> np.ndarray:
    """Frame targets: 1 at each time's frame, 0.5 either side, shape (n,)."""
    y = np.zeros(n, dtype=np.float32)
    f = np.round(np.asarray(times) / HOP_S).astype(int)
    f = f[(f >= 0) & (f < n)]
    for d in (-1, 1):
        g = np.clip(f + d, 0, n - 1)
        y[g] = np.maximum(y[g], 0.5)
    y[f] = 1.0
    return y


def load(folder: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    items = []
    for p in sorted(folder.glob("*.npz")):
        with np.load(p) as d:
            mel = d["mel"].astype(np.float32)
            t = np.stack([targets(len(mel), d["beats"]), targets(len(mel), d["downbeats"])])
        items.append((mel.T, t))
    return items


def batch(items, rng, size: int):
    xs, ys = [], []
    for _ in range(size):
        x, y = items[int(rng.integers(len(items)))]
        n = x.shape[1]
        if n > SEGMENT:
            a = int(rng.integers(0, n - SEGMENT))
            x, y = x[:, a : a + SEGMENT], y[:, a : a + SEGMENT]
        pad = SEGMENT - x.shape[1]
        xs.append(np.pad(x, ((0, 0), (0, pad))))
        ys.append(np.pad(y, ((0, 0), (0, pad)), constant_values=-1.0))  # -1: no target (padding)
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


def loss_of(model, x, y):
    logits = model(x)
    mask = (y >= 0).float()
    weight = mask * torch.where(y > 0, 5.0, 1.0)  # beats are rare frames
    return nn.functional.binary_cross_entropy_with_logits(logits, y.clamp(min=0), weight=weight, reduction="sum") / mask.sum()


def save(model: BeatNet, path: Path) -> None:
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    out = {"in.w": sd["inp.weight"], "in.b": sd["inp.bias"], "out.w": sd["out.weight"], "out.b": sd["out.bias"],
           "n_blocks": np.array(len(model.blocks))}
    for i in range(len(model.blocks)):
        out[f"b{i}.dil.w"], out[f"b{i}.dil.b"] = sd[f"blocks.{i}.dil.weight"], sd[f"blocks.{i}.dil.bias"]
        out[f"b{i}.mix.w"], out[f"b{i}.mix.b"] = sd[f"blocks.{i}.mix.weight"], sd[f"blocks.{i}.mix.bias"]
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **out)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "out" / "beatdata")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "kanat" / "data" / "beatnet.npz")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--steps", type=int, default=60, help="batches per epoch")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    items = load(args.data)
    rng.shuffle(items)
    n_val = max(1, len(items) // 10)
    val, train = items[:n_val], items[n_val:]
    print(f"{len(train)} training excerpts, {len(val)} held out", flush=True)
    model = BeatNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    vx, vy = batch(val, np.random.default_rng(1), len(val))
    best = np.inf
    for epoch in range(args.epochs):
        model.train()
        t0, total = time.time(), 0.0
        for _ in range(args.steps):
            x, y = batch(train, rng, args.batch)
            opt.zero_grad()
            loss = loss_of(model, x, y)
            loss.backward()
            opt.step()
            total += float(loss)
        sched.step()
        model.eval()
        with torch.no_grad():
            v = float(loss_of(model, vx, vy))
        mark = ""
        if v < best:
            best, mark = v, " *"
            save(model, args.out)
        print(f"epoch {epoch + 1}: train {total / args.steps:.4f} held-out {v:.4f} ({time.time() - t0:.1f} s){mark}", flush=True)
    print(f"wrote {args.out} (held-out loss {best:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
