"""The one list of Concord's services, in their order (ports, composition, docs).

Kept as ``services.json`` beside this module so that the gateway's composition script
(``gateway/compose.mjs``) reads the same list; ``concord-migrate``, the SDL export, the local
platform and the chart tests import :data:`SERVICES` from here.
"""

from __future__ import annotations

import json
from pathlib import Path

LIST = Path(__file__).resolve().with_name("services.json")
SERVICES: tuple[str, ...] = tuple(json.loads(LIST.read_text(encoding="utf-8")))
