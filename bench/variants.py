"""Pipeline configurations the quality benchmark can run (the ablation rows).

Each variant aligns one pair with an embedding function and a bead model (None for ``legacy``)
and returns its beads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reference
from sets import Pair

from aligner.core.dp import AlignParams
from aligner.core.pipeline import align_texts
from aligner.core.refine import Embed, RefineParams
from aligner.core.types import Bead

Variant = Callable[[Pair, Embed, Any], list[Bead]]


DEFAULT_PARAMS, DEFAULT_REFINE = AlignParams(), RefineParams()


def configured(
    params: AlignParams = DEFAULT_PARAMS,
    refine: RefineParams | None = DEFAULT_REFINE,
    group: bool = True,
) -> Variant:
    def run(pair: Pair, embed: Embed, model: Any) -> list[Bead]:
        return align_texts(
            pair.src, pair.tgt, embed, params, refine, pair.paragraphs, model, group_omissions=group
        )

    return run


def refine_with(**changes: object) -> RefineParams:
    return dataclasses.replace(RefineParams(), **changes)  # type: ignore[arg-type]


def parsed(spec: str) -> Variant:
    """A variant from ``refine:doubt=0.7,context=2;align:margin_weight=0.5;group=0``
    (``first-pass-only;align:...``: the first pass alone, with those settings)."""
    refine: dict[str, Any] = {}
    align: dict[str, Any] = {}
    group, refined = True, True
    for part in spec.split(";"):
        kind, _, settings = part.partition(":")
        for setting in filter(None, settings.split(",")):
            key, _, value = setting.partition("=")
            target = refine if kind == "refine" else align
            target[key] = (
                value.lower() not in ("false", "0")
                if value in ("True", "False", "true", "false")
                else float(value)
                if "." in value
                else int(value)
            )
        if kind.startswith("group="):
            group = kind.endswith("1")
        refined = refined and kind != "first-pass-only"
    return configured(
        dataclasses.replace(DEFAULT_PARAMS, **align),
        dataclasses.replace(DEFAULT_REFINE, **refine) if refined else None,
        group,
    )


def legacy(pair: Pair, embed: Embed, model: Any) -> list[Bead]:
    """The pipeline before the learned scorer, run from its own checkout: the "before" figures
    (``git archive d3d7ac3 aligner | tar -x -C /tmp/before``, then
    ``PYTHONPATH=/tmp/before python bench/quality.py --variant legacy --save baseline``)."""
    del model
    return align_texts(pair.src, pair.tgt, embed, AlignParams(), paragraphs=pair.paragraphs)


def bertalign_style(pair: Pair, embed: Embed, model: Any) -> list[Bead]:
    """The plain Bertalign-style re-implementation of ``bench/reference.py`` (no confidences)."""
    del model
    return reference.align(pair.src, pair.tgt, embed)


VARIANTS: dict[str, Callable[[], Variant]] = {
    "legacy": lambda: legacy,
    "bertalign-style": lambda: bertalign_style,
    "default": lambda: configured(),
    "first-pass-only": lambda: configured(refine=None),
    "no-grouped-omissions": lambda: configured(group=False),
    "max-side-4": lambda: configured(refine=refine_with(max_side=4, max_total=5)),
    "spans": lambda: configured(refine=refine_with(embed_spans=True)),
    "realign-doubtful-only": lambda: configured(refine=refine_with(realign_all=False, doubt=0.5)),
    "spans-only-where-doubtful": lambda: configured(
        refine=refine_with(embed_spans=True, realign_all=False, doubt=0.5)
    ),
}


def variant(name: str) -> Variant:
    """A named variant, or one spelt out (see ``parsed``)."""
    return VARIANTS[name]() if name in VARIANTS else parsed(name)
