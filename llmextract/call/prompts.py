"""Prompts are versioned data files (`prompts/NAME.vN.yaml`) loaded into a strict model."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from llmextract.errors import PromptError

PLACEHOLDER = "{article}"

__all__ = ["Prompt", "load_prompt", "prompt_dirs", "prompt_id"]


class Prompt(BaseModel):
    """One prompt file. `version` goes into every record as `NAME/VERSION`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int
    system: str
    user: str

    @field_validator("user")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        if value.count(PLACEHOLDER) != 1:
            raise ValueError(f"must contain {PLACEHOLDER} exactly once")
        return value

    @property
    def id(self) -> str:
        return prompt_id(self.name, self.version)

    @property
    def sha256(self) -> str:
        blob = f"{self.system}\x00{self.user}".encode()
        return "sha256:" + hashlib.sha256(blob).hexdigest()

    def messages(self, article: str) -> list[dict[str, str]]:
        """The chat messages for one article. The text is inserted verbatim by plain string
        replacement: no template engine sees it, and nothing in it is altered (an article
        that writes its own `</article>` is still only data: see README, "Hostile articles")."""
        head, tail = self.user.split(PLACEHOLDER)
        return [
            {"role": "system", "content": self.system.strip()},
            {"role": "user", "content": head + article + tail},
        ]


def prompt_id(name: str, version: int = 1) -> str:
    """The id records give a prompt (`load_prompt(name, version).id`, without reading it)."""
    return f"{name}/{version}"


def prompt_dirs() -> list[Path]:
    """Where prompt files are looked for: inside the installed package (wheel), then the
    source checkout's top-level `prompts/` (editable installs)."""
    package = Path(__file__).resolve().parent.parent  # llmextract/
    return [package / "prompts", package.parent / "prompts"]


@lru_cache(maxsize=16)
def load_prompt(name: str = "summarize", version: int = 1) -> Prompt:
    """Load and validate `NAME.vVERSION.yaml`; PromptError names the file and the problem."""
    import yaml

    filename = f"{name}.v{version}.yaml"
    for folder in prompt_dirs():
        path = folder / filename
        if path.is_file():
            break
    else:
        searched = ", ".join(str(d) for d in prompt_dirs())
        raise PromptError(f"prompt file {filename} not found (searched {searched})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        prompt = Prompt.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise PromptError(f"{path}: not a valid prompt file: {exc}") from None
    if (prompt.name, prompt.version) != (name, version):
        raise PromptError(f"{path}: declares {prompt.id}, expected {name}/{version}")
    return prompt
