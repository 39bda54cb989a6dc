"""Smooth random fields: the terrain, boundary warps and image texture of the demo district.

A wave field is a sum of plane sine waves (evaluable anywhere, used for the terrain and to warp
boundaries); value noise is coarse random grids upsampled smoothly (used for raster texture).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WaveField:
    """A smooth scalar field f(x, y) = sum a_i sin(k_i . (x, y) + phi_i), roughly in [-1, 1]."""

    kx: np.ndarray
    ky: np.ndarray
    phase: np.ndarray
    amplitude: np.ndarray
    origin: tuple[float, float]

    def __call__(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype=float) - self.origin[0]
        y = np.asarray(y, dtype=float) - self.origin[1]
        total = np.zeros(np.broadcast(x, y).shape)
        for kx, ky, phase, amplitude in zip(self.kx, self.ky, self.phase, self.amplitude):
            total += amplitude * np.sin(kx * x + ky * y + phase)
        return total


def wave_field(rng: np.random.Generator, n_waves: int, wavelengths: tuple[float, float],
               origin: tuple[float, float]) -> WaveField:
    """Random waves with wavelengths (metres) log-uniform in ``wavelengths``, longer waves stronger."""
    lengths = np.exp(rng.uniform(np.log(wavelengths[0]), np.log(wavelengths[1]), n_waves))
    angle = rng.uniform(0, np.pi, n_waves)
    k = 2 * np.pi / lengths
    amplitude = lengths / lengths.sum()
    amplitude = amplitude / np.sqrt((amplitude ** 2).sum() / 2)  # unit standard deviation
    return WaveField(k * np.cos(angle), k * np.sin(angle), rng.uniform(0, 2 * np.pi, n_waves),
                     amplitude / 2.5, origin)


@dataclass(frozen=True)
class Terrain:
    """Hills and valleys of the district: elevation in metres, about 100-550 m (Ganzhou's hills)."""

    hills: WaveField
    detail: WaveField

    def __call__(self, x, y) -> np.ndarray:
        return 300.0 + 170.0 * self.hills(x, y) + 35.0 * self.detail(x, y)


def make_terrain(rng: np.random.Generator, origin: tuple[float, float]) -> Terrain:
    return Terrain(wave_field(rng, 7, (3000.0, 11000.0), origin),
                   wave_field(rng, 9, (500.0, 2000.0), origin))


def _upsample(coarse: np.ndarray, shape: tuple[int, int], cell: int) -> np.ndarray:
    """Smooth (smoothstep-weighted bilinear) upsampling of a coarse grid by ``cell`` pixels."""
    rows = np.arange(shape[0]) / cell
    cols = np.arange(shape[1]) / cell
    r0 = rows.astype(int)
    c0 = cols.astype(int)
    tr = rows - r0
    tc = cols - c0
    tr = (tr * tr * (3 - 2 * tr))[:, None]
    tc = (tc * tc * (3 - 2 * tc))[None, :]
    a = coarse[np.ix_(r0, c0)]
    b = coarse[np.ix_(r0, c0 + 1)]
    c = coarse[np.ix_(r0 + 1, c0)]
    d = coarse[np.ix_(r0 + 1, c0 + 1)]
    top = a + (b - a) * tc
    bottom = c + (d - c) * tc
    return top + (bottom - top) * tr


def value_noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, ...],
                weights: tuple[float, ...] | None = None) -> np.ndarray:
    """Fractal value noise (float32, about unit standard deviation) with features of ``cells`` pixels."""
    weights = weights or tuple(1.0 for _ in cells)
    total = np.zeros(shape, dtype=np.float64)
    for cell, weight in zip(cells, weights):
        coarse = rng.standard_normal((shape[0] // cell + 2, shape[1] // cell + 2))
        total += weight * _upsample(coarse, shape, cell)
    std = total.std()
    return (total / std if std > 0 else total).astype(np.float32)
