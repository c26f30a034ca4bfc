"""The Rasa 3.6 fixes `rasa run` installs (channels/rasa_patches.py) keep Rasa's behaviour
where it was right and fail loudly where it silently lost data."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

import jsonschema
import pytest
from rasa.core import tracker_store as tracker_stores
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.lock_store import RedisLockStore
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from channels import rasa_patches

PATCHED = [
    (RemoteAction, "_validate_action_result"),
    (RemoteAction, "run"),
    (MessageProcessor, "handle_message"),
    (MessageProcessor, "save_tracker"),
    (FailSafeTrackerStore, "retrieve"),
    (FailSafeTrackerStore, "retrieve_full_tracker"),
    (FailSafeTrackerStore, "save"),
    (RedisLockStore, "issue_ticket"),
    (RedisLockStore, "update_lock"),
    (RedisLockStore, "cleanup"),
    (tracker_stores, "create_engine_kwargs"),
    (Event, "resolve_by_type"),
]


@pytest.fixture(scope="module", autouse=True)
def installed():
    # Patched for this module only: other tests of the session see Rasa as shipped.
    missing = object()
    originals = [(o, name, o.__dict__.get(name, missing)) for o, name in PATCHED]
    rasa_patches.install()
    rasa_patches.install()  # idempotent
    assert all(o.__dict__.get(name) is not fn for o, name, fn in originals)
    yield
    for owner, name, original in originals:
        if original is missing:
            delattr(owner, name)  # was inherited (LockStore's)
        else:
            setattr(owner, name, original)
    rasa_patches._installed = False


def test_postgres_connections_are_pinged_before_use():
    kwargs = tracker_stores.create_engine_kwargs("postgresql://u:p@127.0.0.1:5432/db")
    assert kwargs["pool_pre_ping"] is True and "pool_size" in kwargs


VALID = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "x", "value": 1}],
        "responses": [{"text": "hi"}],
    },
    {},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]


@pytest.mark.parametrize("response", VALID)
def test_valid_action_responses_still_pass(response):
    assert RemoteAction("a", None)._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_action_responses_fail_as_before(response):
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(response, schema)
    with pytest.raises(jsonschema.ValidationError) as got:
        RemoteAction("a", None)._validate_action_result(response)
    assert got.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in got.value.message


class BrokenStore(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionError("database restarting")

    async def save(self, tracker):
        raise ConnectionError("database restarting")


async def test_tracker_store_errors_propagate_instead_of_a_silent_fallback():
    store = FailSafeTrackerStore(BrokenStore(Domain.empty()))
    with pytest.raises(ConnectionError):
        await store.retrieve("A1")
    with pytest.raises(ConnectionError):
        await store.save(DialogueStateTracker("A1", []))
    assert store._fallback_tracker_store is None  # nothing kept in memory


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SavingProcessor:
    """Just what MessageProcessor.save_tracker needs."""

    def __init__(self):
        self.tracker_store = InMemoryTrackerStore(Domain.empty())


async def test_a_failed_custom_action_keeps_the_turn_out_of_the_tracker_store():
    endpoint = EndpointConfig(f"http://127.0.0.1:{closed_port()}/webhook")
    action = RemoteAction("action_score_reply", endpoint)
    tracker = DialogueStateTracker("A1", [])
    nlg = TemplatedNaturalLanguageGenerator({})
    processor = SavingProcessor()
    rasa_patches._failed_action.set(None)
    await MessageProcessor.save_tracker(processor, tracker)  # nothing failed: saved
    with pytest.raises(RasaException):
        await action.run(CollectingOutputChannel(), nlg, tracker, Domain.empty())
    with pytest.raises(rasa_patches.ActionServerUnavailable):
        await MessageProcessor.save_tracker(processor, tracker)


class FakeRedis:
    """get/set/delete and a non-reentrant lock, in memory."""

    def __init__(self):
        self.data = {}
        self.locks = {}
        self.guard = threading.Lock()

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value):
        self.data[key] = value

    def delete(self, key):
        return self.data.pop(key, None) is not None

    @contextmanager
    def lock(self, name, timeout, blocking_timeout):
        with self.guard:
            assert name not in self.locks, "mutex taken twice"
            self.locks[name] = True
        try:
            yield
        finally:
            del self.locks[name]


def test_tickets_are_issued_in_order_and_the_lock_removed_when_done():
    store = object.__new__(RedisLockStore)
    store.red = FakeRedis()
    store.key_prefix = "daogou:lock:"
    first = store.issue_ticket("A1", 30)
    second = store.issue_ticket("A1", 30)
    assert (first, second) == (0, 1)
    lock = store.get_lock("A1")
    assert not lock.is_locked(first) and lock.is_locked(second)
    store.cleanup("A1", first)
    assert not store.get_lock("A1").is_locked(second)
    store.update_lock("A1")
    store.cleanup("A1", second)
    assert store.get_lock("A1") is None and not store.red.locks


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("user", UserUttered),
        ("bot", BotUttered),
        ("slot", SlotSet),
        ("action", ActionExecuted),
    ],
)
def test_event_types_resolve_as_before(name, expected):
    assert Event.resolve_by_type(name) is expected


def test_unknown_event_types_behave_as_before():
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_a_stored_conversation_deserialises_unchanged():
    events = [
        UserUttered("能便宜点吗", {"name": "bargain", "confidence": 1.0}, message_id="m1"),
        ActionExecuted("practice_form"),
        SlotSet("turn_index", 1.0),
        BotUttered("实在对不起", data={"buttons": [{"title": "提示"}]}),
    ]
    dumped = [event.as_dict() for event in events]
    assert deserialise_events(dumped) == events
