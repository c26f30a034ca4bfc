"""Five fixes to Rasa 3.6, installed when `rasa run` sets up the REST channel (channels/rest.py).

1. CPU: Rasa checks every action server response with ``jsonschema.validate``, which first checks
   the (large, constant) response schema against the JSON Schema meta-schema: ~130 ms of CPU per
   custom action call with jsonschema 4.17, 70 % of a practice turn. The schema is now checked
   once and its validator reused: the same responses pass, the same errors are raised.

2. Nothing half-written: when a custom action fails (action server unreachable, 5xx), Rasa logs
   "Bot will continue, but the actions events are lost" and stores the trainee's message without
   its scoring, answering nothing. Now such a turn is not saved: the message fails with
   ``ActionServerUnavailable`` (the REST channel answers 503 "please resend"), the tracker stays
   as it was, and the resent message is handled as if it were the first (records are keyed by
   attempt, turn and try, so an action that did write before the failure does not write twice).

3. No silent fallback: Rasa wraps the tracker store in ``FailSafeTrackerStore``, which on a
   database error treats the conversation as new (retrieve → None) and keeps the turn in the
   replica's memory (save → InMemoryTrackerStore). With PostgreSQL restarting, a trainee in the
   middle of a scenario would be answered as a stranger and the turn lost from the database.
   Errors now propagate: the message fails (503 "please resend") and nothing is stored. The SQL
   tracker store's pool also pings connections before use, so the turns after a database
   restart do not fail on connections that died with the old server.

4. One turn at a time per conversation across replicas: the Redis lock store issues and
   returns tickets with a read-modify-write of one key (get, change, set). Two replicas taking a
   ticket for the same conversation at the same instant both read "no lock", both get ticket 0
   and process two turns at once (found by the 1,000-message flood: a stored turn lost). Those
   updates now run under a short Redis mutex (SET NX with expiry) per conversation.

5. CPU again: loading a conversation from the tracker store looks up every event's class by
   walking all Event subclasses (``all_subclasses``, with ``inspect.isabstract`` on each) — ~20 ms
   per turn for a conversation of a few scenarios. The type → class map is now built once (and
   rebuilt if an unknown type shows up, e.g. after a late import); the first match still wins.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Dict, List, Optional, Text

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core import tracker_store as tracker_stores
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import RasaException

_validator: Optional[Any] = None
# Set in the task handling one message when one of its custom actions failed.
_failed_action: ContextVar[Optional[str]] = ContextVar("failed_action", default=None)
_installed = False


class ActionServerUnavailable(RasaException):
    """A custom action failed; the message is not stored and should be sent again."""


def _response_validator() -> Any:
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator built once."""
    error = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def _mutex(store: RedisLockStore, conversation_id: Text) -> Any:
    # Held for a few Redis round trips; expires on its own if this process dies holding it.
    return store.red.lock(
        f"{store.key_prefix}{conversation_id}:mutex", timeout=5, blocking_timeout=10
    )


def issue_ticket(
    self: RedisLockStore, conversation_id: Text, lock_lifetime: float = 0
) -> int:
    from rasa.core.lock_store import LOCK_LIFETIME

    try:
        with _mutex(self, conversation_id):
            lock = self.get_or_create_lock(conversation_id)
            ticket = lock.issue_ticket(lock_lifetime or LOCK_LIFETIME)
            self.save_lock(lock)
            return ticket
    except Exception as error:
        raise LockError(f"Error while acquiring lock. Error:\n{error}") from error


def update_lock(self: RedisLockStore, conversation_id: Text) -> None:
    with _mutex(self, conversation_id):
        lock = self.get_lock(conversation_id)
        if lock:
            lock.remove_expired_tickets()
            self.save_lock(lock)


def cleanup(self: RedisLockStore, conversation_id: Text, ticket_number: int) -> None:
    with _mutex(self, conversation_id):
        lock = self.get_lock(conversation_id)
        if lock is None:
            return
        lock.remove_ticket_for(ticket_number)
        if lock.is_someone_waiting():
            self.save_lock(lock)
        else:
            self.delete_lock(conversation_id)


_event_classes: Dict[Text, Any] = {}


def resolve_by_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
    """Event.resolve_by_type with the subclass walk done once."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    found = _event_classes.get(type_name)
    if found is None:
        classes: Dict[Text, Any] = {}
        for cls in all_subclasses(Event):
            classes.setdefault(cls.type_name, cls)
        _event_classes.clear()
        _event_classes.update(classes)
        found = classes.get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None  # as Rasa: old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    """Idempotent; only ever called inside `rasa run` (importing Rasa's actions loads TensorFlow)."""
    global _installed
    if _installed:
        return
    _installed = True
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]

    remote_run = RemoteAction.run
    handle_message = MessageProcessor.handle_message
    save_tracker = MessageProcessor.save_tracker

    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Any]:
        try:
            return await remote_run(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # a form rejecting a value is normal dialogue
        except Exception:
            _failed_action.set(self.name())
            raise

    async def handle(self: MessageProcessor, message: Any) -> Any:
        _failed_action.set(None)
        return await handle_message(self, message)

    async def save(self: MessageProcessor, tracker: Any) -> None:
        failed = _failed_action.get()
        if failed is not None:
            raise ActionServerUnavailable(
                f"custom action '{failed}' failed: turn of '{tracker.sender_id}' not saved"
            )
        await save_tracker(self, tracker)

    async def retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Any:
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: Text) -> Any:
        return await self._tracker_store.retrieve_full_tracker(sender_id)

    async def save_to_primary(self: FailSafeTrackerStore, tracker: Any) -> None:
        await self._tracker_store.save(tracker)

    engine_kwargs = tracker_stores.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[Text, Any]:
        return {**engine_kwargs(url), "pool_pre_ping": True}

    tracker_stores.create_engine_kwargs = create_engine_kwargs
    FailSafeTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker  # type: ignore[method-assign]
    FailSafeTrackerStore.save = save_to_primary  # type: ignore[method-assign]
    from rasa.shared.core.events import Event

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]
    RedisLockStore.issue_ticket = issue_ticket  # type: ignore[method-assign]
    RedisLockStore.update_lock = update_lock  # type: ignore[method-assign]
    RedisLockStore.cleanup = cleanup  # type: ignore[method-assign]
    RemoteAction.run = run  # type: ignore[method-assign]
    MessageProcessor.handle_message = handle  # type: ignore[method-assign]
    MessageProcessor.save_tracker = save  # type: ignore[method-assign]
