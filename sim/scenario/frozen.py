"""The base of every configuration object: parameters only, immutable, strict."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Unknown keys, strings where numbers belong, NaN and inf are refused; nothing can change
    after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
