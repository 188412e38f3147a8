"""The base of every event contract.

An event type is a subclass of :class:`Event` declared with its CloudEvents ``type``::

    class ApplicationForwarded(ApplicationEvent, type="membership.application.forwarded"):
        deciders: list[BodyId]

Declaring it registers it (:func:`contract_for`), so producers record a model and consumers
register a handler per model; nobody keeps a table of type names by hand. ``data`` is the
model dumped in JSON mode with camelCase keys. Consumers ignore fields they do not know, so a
producer may add optional fields; a breaking change is a new type (``…v2``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

SCHEMA_URN_PREFIX = "urn:concord:event-schema:"

_REGISTRY: dict[str, type[Event]] = {}


class UnknownEventType(LookupError):
    """No contract is declared for an event type."""


class Part(BaseModel):
    """A nested shape inside an event's data (camelCase on the wire, unknown fields ignored)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="ignore",
        use_attribute_docstrings=True,  # a field's docstring is its description in the schema
    )

    def to_data(self) -> dict[str, Any]:
        """The envelope's ``data``: JSON-ready, camelCase keys."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        return cls.model_validate(data)


class Event(Part):
    """The ``data`` of a CloudEvent of one type (camelCase on the wire)."""

    TYPE: ClassVar[str] = ""
    SUBJECT: ClassVar[str] = ""
    """What the envelope's ``subject`` names (documentation: "application id", …)."""

    def __init_subclass__(cls, *, type: str | None = None, subject: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if type is None:
            return  # an abstract base that groups shared fields
        if type in _REGISTRY:
            raise TypeError(f"event type {type!r} is declared twice")
        cls.TYPE = type
        cls.SUBJECT = subject
        _REGISTRY[type] = cls

    @classmethod
    def dataschema(cls) -> str:
        """The CloudEvents ``dataschema`` of this type: the ``$id`` of its committed schema."""
        return f"{SCHEMA_URN_PREFIX}{cls.TYPE}"


def contract_for(event_type: str) -> type[Event]:
    """The model declared for an event type."""
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(f"no contract declares event type {event_type!r}") from None


def all_contracts() -> dict[str, type[Event]]:
    """Every declared event type and its model, in type order (importing every module)."""
    import contracts.finance
    import contracts.governance
    import contracts.membership
    import contracts.notifications  # noqa: F401

    return dict(
        sorted(
            (event_type, model)
            for event_type, model in _REGISTRY.items()
            if model.__module__.startswith("contracts.")  # not test-only contracts
        )
    )
