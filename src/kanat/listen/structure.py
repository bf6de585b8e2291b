"""Counts, phrases, sections and dynamics: the music laid out the way a dancer counts it.

Conventions
-----------
- Every per-beat array has shape (B,), one entry per beat of ``beats_s``.
- ``meter[i]`` is 2, 3 or 4; ``beat_in_bar[i]`` is 1 on a downbeat.
- Counts follow :mod:`kanat.listen.musicmap`: in duple and quadruple meter
  each beat is a count, eight to a phrase (four bars of 2, two bars of 4); in
  triple meter a phrase is eight bars and ``counts[i]`` is the bar's number
  1-8 within it, while the teacher calls "1-2-3, 2-2-3, ...".
- A phrase starts on a downbeat; counting restarts where the meter changes
  and where a new passage starts (after a pause or a change of tempo);
  a short leftover at the end of a passage is a short phrase. Beats before the
  first downbeat (a pickup) belong to no phrase and are counted as the end of
  an imagined previous phrase ("7, 8" or bar 8's "8-2-3").
- Sections are ``{"start_s", "end_s", "label"}`` of whole phrases: phrases
  whose harmony matches (beat-synchronous chroma) share a phrase letter, and a
  section is the longest run of phrases that the music plays again; sections
  playing the same music share a letter (A A B A).
- ``energy`` and ``accent`` are in [0, 1].
"""

from __future__ import annotations

import string

import numpy as np

#: Bars in a phrase, by meter (eight counts in duple and quadruple, eight bars in triple).
PHRASE_BARS = {2: 4, 3: 8, 4: 2}
#: Mean centred-chroma correlation above which two phrases count as the same music.
REPEAT_THRESHOLD = 0.7


def count_beats(
    meter: np.ndarray, beat_in_bar: np.ndarray, breaks: np.ndarray | None = None
) -> tuple[np.ndarray, list[str], list[tuple[int, int]]]:
    """Dancer's counts, teacher's labels and phrases from a bar grid.

    Parameters
    ----------
    meter : np.ndarray of int, shape (B,)
        Beats per bar of each beat's bar.
    beat_in_bar : np.ndarray of int, shape (B,)
        Position of each beat in its bar, 1 = downbeat.
    breaks : np.ndarray, shape (B,), optional
        Nonzero where a new passage starts; counting restarts at the first
        downbeat from there (as it does where the meter changes).

    Returns
    -------
    counts : np.ndarray of int, shape (B,)
        Count 1-8 of each beat (bar number within the phrase in triple meter).
    count_labels : list of str, length B
        What a teacher calls on each beat.
    phrases : list of (int, int)
        First and last beat of each phrase, inclusive.

    Examples
    --------
    >>> counts, labels, phrases = count_beats(np.full(6, 3), np.tile([1, 2, 3], 2))
    >>> labels
    ['1', '2', '3', '2', '2', '3']
    """
    meter = np.asarray(meter, dtype=int)
    pos = np.asarray(beat_in_bar, dtype=int)
    b = len(meter)
    counts = np.zeros(b, dtype=int)
    phrases: list[tuple[int, int]] = []
    downbeats = np.flatnonzero(pos == 1)
    if b == 0:
        return counts, [], phrases
    first = int(downbeats[0]) if len(downbeats) else b

    # pickup: the end of an imagined previous phrase
    for i in range(first):
        if meter[i] == 3:
            counts[i] = 8
        else:
            counts[i] = 8 - (first - 1 - i) % 8

    # a new passage restarts the count on its first downbeat
    restart = np.zeros(b, dtype=bool)
    if breaks is not None:
        for k in np.flatnonzero(np.asarray(breaks) > 0):
            later = downbeats[downbeats >= k]
            if len(later):
                restart[later[0]] = True
    start = None
    bars = 0
    for i in range(first, b):
        if pos[i] == 1:
            new_meter = start is not None and meter[i] != meter[start]
            if start is None or new_meter or restart[i] or bars >= PHRASE_BARS.get(int(meter[start]), 2):
                if start is not None:
                    phrases.append((start, i - 1))
                start, bars = i, 0
            bars += 1
        k = i - start
        if meter[start] == 3:
            counts[i] = bars if bars <= 8 else (bars - 1) % 8 + 1
        else:
            counts[i] = k % 8 + 1
    if start is not None:
        phrases.append((start, b - 1))

    labels = []
    for i in range(b):
        if meter[i] == 3 and pos[i] != 1:
            labels.append(str(int(pos[i])))
        else:
            labels.append(str(int(counts[i])))
    return counts, labels, phrases


def beat_chroma(chroma: np.ndarray, beats_s: np.ndarray, sr: int, hop_length: int) -> np.ndarray:
    """Average a chromagram over each beat's span.

    Parameters
    ----------
    chroma : np.ndarray, shape (12, T)
        Chromagram at ``hop_length``.
    beats_s : np.ndarray, shape (B,)
        Beat times in seconds.
    sr : int
        Sample rate in Hz.
    hop_length : int
        Samples per chroma frame.

    Returns
    -------
    beat_chroma : np.ndarray, shape (B, 12)
    """
    beats_s = np.asarray(beats_s, dtype=float)
    n = chroma.shape[1]
    ibi = float(np.median(np.diff(beats_s))) if len(beats_s) > 1 else 0.5
    ends = np.append(beats_s[1:], beats_s[-1] + ibi)
    f0 = np.clip(np.round(beats_s * sr / hop_length).astype(int), 0, n - 1)
    f1 = np.maximum(np.clip(np.round(ends * sr / hop_length).astype(int), 1, n), f0 + 1)
    return np.stack([chroma[:, a:z].mean(axis=1) for a, z in zip(f0, f1)])


def phrase_similarity(bchroma: np.ndarray, phrases: list[tuple[int, int]], meter: np.ndarray) -> np.ndarray:
    """How alike the harmony of every two phrases is, shape (P, P), in [-1, 1].

    Beat-synchronous chroma is centred (the piece's mean removed, so a shared
    key does not make everything alike) and correlated beat by beat over the
    phrases' common length. Phrases of different meter, or whose lengths
    differ by more than a quarter, get -1.
    """
    c = bchroma - bchroma.mean(axis=0, keepdims=True)
    c = c / (np.linalg.norm(c, axis=1, keepdims=True) + 1e-9)
    p = len(phrases)
    sim = np.full((p, p), -1.0)
    for j, (a1, z1) in enumerate(phrases):
        for k, (a2, z2) in enumerate(phrases):
            n1, n2 = z1 - a1 + 1, z2 - a2 + 1
            if meter[a1] != meter[a2] or min(n1, n2) < 0.75 * max(n1, n2):
                continue
            n = min(n1, n2)
            sim[j, k] = float(np.mean(np.sum(c[a1 : a1 + n] * c[a2 : a2 + n], axis=1)))
    return sim


def letter(k: int) -> str:
    """Section letter number ``k``: A..Z, then AA, AB, ..."""
    letters = string.ascii_uppercase
    return letters[k] if k < 26 else letter(k // 26 - 1) + letters[k % 26]


def phrase_letters(sim: np.ndarray) -> list[str]:
    """A letter per phrase; a phrase like an earlier one (``sim`` >= :data:`REPEAT_THRESHOLD`) takes its letter.

    Parameters
    ----------
    sim : np.ndarray, shape (P, P)
        From :func:`phrase_similarity`.
    """
    labels: list[str] = []
    n_letters = 0
    for j in range(sim.shape[0]):
        best = int(np.argmax(sim[j, :j])) if j else -1
        if j and sim[j, best] >= REPEAT_THRESHOLD:
            labels.append(labels[best])
        else:
            labels.append(letter(n_letters))
            n_letters += 1
    return labels


def group_sections(letters: list[str]) -> list[tuple[int, int]]:
    """Group phrases into sections: the longest run of phrases that the music plays again elsewhere.

    Walking from the first phrase, a section is the longest run starting
    there whose sequence of phrase letters also occurs somewhere else without
    overlapping it (a 16-bar strain of four phrases played twice is two
    sections, not eight); phrases that never come back are one section
    together, up to the next run that does.

    Parameters
    ----------
    letters : list of str
        One letter per phrase (see :func:`phrase_letters`).

    Returns
    -------
    groups : list of (int, int)
        First and last phrase index of each section, inclusive, covering all phrases.

    Examples
    --------
    >>> group_sections(list("abcdabcdefefabcd"))
    [(0, 3), (4, 7), (8, 9), (10, 11), (12, 15)]
    >>> group_sections(list("aaba"))
    [(0, 0), (1, 1), (2, 2), (3, 3)]
    """
    p = len(letters)

    def repeated(i: int, n: int) -> bool:
        block = letters[i : i + n]
        return any(letters[j : j + n] == block for j in range(p - n + 1) if abs(j - i) >= n)

    groups: list[tuple[int, int]] = []
    i = 0
    while i < p:
        n = max((n for n in range(1, p - i + 1) if repeated(i, n)), default=0)
        if n == 0:  # music heard once: together up to the next phrase that comes back
            z = i
            while z + 1 < p and not repeated(z + 1, 1):
                z += 1
            n = z - i + 1
        groups.append((i, i + n - 1))
        i += n
    return groups


def label_sections(beats_s: np.ndarray, phrases: list[tuple[int, int]], letters: list[str], duration_s: float) -> list[dict]:
    """Sections of whole phrases; music played again takes the same letter (A A B A).

    Parameters
    ----------
    beats_s : np.ndarray, shape (B,)
    phrases : list of (int, int)
    letters : list of str
        One letter per phrase, from :func:`phrase_letters`.
    duration_s : float
        Length of the audio; the last section ends there.

    Returns
    -------
    sections : list of dict
        ``start_s`` (the first phrase's first beat), ``end_s`` (the next
        section's first beat, or the end of the music) and ``label``; sections
        whose phrases repeat the same music share a letter, in order of
        first appearance.
    """
    groups = group_sections(letters)
    names: dict[tuple[str, ...], str] = {}
    sections = []
    for k, (g0, g1) in enumerate(groups):
        key = tuple(letters[g0 : g1 + 1])
        if key not in names:
            names[key] = letter(len(names))
        end = float(beats_s[phrases[groups[k + 1][0]][0]]) if k + 1 < len(groups) else float(duration_s)
        sections.append({"start_s": float(beats_s[phrases[g0][0]]), "end_s": end, "label": names[key]})
    return sections


def beat_energy(y: np.ndarray, sr: int, beats_s: np.ndarray, env: np.ndarray, hop_length: int) -> np.ndarray:
    """Loudness and density of the music around each beat, shape (B,), in [0, 1].

    Three quarters RMS loudness (dB, the top 5 % of beats at 1, 30 dB below
    that at 0), one quarter onset density (mean onset strength over the span).
    """
    import librosa

    from kanat.listen.audio import blockwise

    rms = blockwise(lambda b: librosa.feature.rms(y=b, frame_length=2048, hop_length=hop_length)[0], y, hop_length, sr=sr)
    beats_s = np.asarray(beats_s, dtype=float)
    ibi = float(np.median(np.diff(beats_s))) if len(beats_s) > 1 else 0.5
    mids = np.concatenate([[beats_s[0] - ibi / 2], (beats_s[1:] + beats_s[:-1]) / 2, [beats_s[-1] + ibi / 2]])
    n = min(len(rms), len(env))
    f = np.clip(np.round(mids * sr / hop_length).astype(int), 0, n - 1)
    spans = [(a, max(z, a + 1)) for a, z in zip(f[:-1], f[1:])]
    db = np.array([20 * np.log10(np.sqrt(np.mean(rms[a:z] ** 2)) + 1e-9) for a, z in spans])
    dens = np.array([env[a:z].mean() for a, z in spans])
    loud = np.clip((db - (np.percentile(db, 95) - 30.0)) / 30.0, 0.0, 1.0)
    dens = np.clip(dens / (np.percentile(dens, 95) + 1e-9), 0.0, 1.0)
    return np.clip(0.75 * loud + 0.25 * dens, 0.0, 1.0)


def normalise_accent(strength: np.ndarray) -> np.ndarray:
    """Scale per-beat onset strengths (shape (B,)) to [0, 1]; the top 5 % reach 1."""
    strength = np.asarray(strength, dtype=float)
    if strength.size == 0:
        return strength
    top = np.percentile(strength, 95)
    return np.clip(strength / (top + 1e-9), 0.0, 1.0)
