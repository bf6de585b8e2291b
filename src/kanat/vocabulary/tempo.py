"""The tempo vocabulary every stage shares: when music is an adagio, an allegro, a waltz.

Conventions
-----------
- Tempo in counted beats per minute (BPM), as :class:`kanat.listen.MusicMap`
  counts them (6/8 in two, so a jig's BPM is its dotted quarters).
- One threshold each, used by compose (which steps suit a phrase) and by
  perform (how the movement breathes with the pulse), so a phrase never gets
  adagio steps with an allegro pulse.
"""

from __future__ import annotations

#: Below this tempo the music is an adagio: sustained steps, the line flows through the beats
#: (DANCE.md: adagio roughly 50-80 BPM).
ADAGIO_BELOW_BPM = 80.0
#: From this tempo on the music is an allegro: quick jumps and beats (DANCE.md: allegro 110-160 BPM).
ALLEGRO_FROM_BPM = 110.0


def is_adagio(tempo_bpm: float) -> bool:
    """Is music at ``tempo_bpm`` an adagio?"""
    return tempo_bpm < ADAGIO_BELOW_BPM


def tempo_character(tempo_bpm: float, meter: int) -> str:
    """The character a phrase's tempo and meter ask for: adagio, waltz, allegro or any.

    Adagio by tempo first; then any music in 3 is a waltz; quick music an
    allegro; the moderate rest may take steps of any character.
    """
    if is_adagio(tempo_bpm):
        return "adagio"
    if meter == 3:
        return "waltz"
    if tempo_bpm >= ALLEGRO_FROM_BPM:
        return "allegro"
    return "any"
