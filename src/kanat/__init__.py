"""kanat: a choreography studio. Music in, a dance out.

The pipeline has five verbs, each a stage package that owns its output type:

    listen   -> kanat.listen.MusicMap
    compose  -> kanat.compose.Score
    perform  -> kanat.body.Motion
    critique -> kanat.critique.Critique
    render   -> video, counts sheet (kanat.render); BVH, glTF, NPZ (kanat.formats)
"""

__version__ = "0.1.0"
