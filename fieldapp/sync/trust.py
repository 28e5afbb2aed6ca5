"""Who may write what in a folder hub: this device's signing key, and the keys of the others.

Before a sync reads or writes bundles, :func:`prepare`:

1. makes this device's Ed25519 key pair at its first sync (kept in the data file,
   :data:`~fieldapp.store.services.settings.SYNC_DEVICE_KEY`) and registers its public key in
   the hub (:mod:`fieldapp.sync.folder_keys`), authenticated with the team key. A device that
   synced before it had a key (an upgrade) lists its earlier, unsigned bundles in the
   registration (:mod:`fieldapp.sync.device_keys`), so nothing is sent again;
2. reads every other device's registration and **pins** its key at first sight (per hub and
   device, :data:`~fieldapp.store.services.settings.SYNC_PINNED`). A pinned key is used from
   then on, whatever happens to the file. A later, different key for the same device is refused:
   every bundle of that device is refused with the reason (in the sync report, at every sync)
   and nothing of it is applied;
3. hands the folder hub what it needs: the signing key, and ``HubState.trust`` (device ->
   :class:`~fieldapp.sync.device_keys.DeviceTrust`) that :func:`fieldapp.sync.bundle.decode_bundle`
   checks every bundle against.

Old, unsigned bundles a reader has not read yet are accepted only while their device has no
key (none registered, none pinned) and the team key verifies them, as before keys existed;
once the device has a key, only those its registration lists (by the hash of the file) are.
Bundles applied before the upgrade stay applied. A member of the team can still register a
key in the name of a device that has not synced since the upgrade; that device then reports
it (another key is registered for this computer) and the readers that pinned the false key
refuse its bundles, so it is seen rather than silent.

Owned records (shifts, observations, meetings, actions, "carried out") are applied only from a
bundle signed by their owner (:func:`fieldapp.sync.pull.apply_batch`); shared records (areas,
places, partners, categories, staff) from any member.
"""

from __future__ import annotations

import base64
import uuid

from fieldapp.i18n import _
from fieldapp.store.database import Database
from fieldapp.store.services import settings as keys
from fieldapp.store.services.settings import SettingsService
from fieldapp.sync import folder_keys
from fieldapp.sync.device_keys import (
    DeviceTrust,
    RegistrationError,
    decode_registration,
    encode_registration,
    fingerprint,
    load_private_key,
    new_private_key,
    public_bytes,
)
from fieldapp.sync.folder import FolderHub
from fieldapp.sync.hub import HubState
from fieldapp.sync.report import SyncReport


def prepare(database: Database, hub, device_id: uuid.UUID, state: HubState,
            report: SyncReport) -> None:
    """Set up the keys for a sync with ``hub`` (a folder hub; other hubs vouch for their
    writers themselves and are left alone)."""
    if not isinstance(hub, FolderHub):
        return
    hub_id = hub.hub_id
    with database.session() as session:
        settings = SettingsService(session)
        text = settings.get(keys.SYNC_DEVICE_KEY)
        if not text:
            text = new_private_key()
            settings.put(keys.SYNC_DEVICE_KEY, text)
        pins = dict(settings.get(keys.SYNC_PINNED.key(hub_id)))
        mine = settings.get(keys.SYNC_REGISTERED.key(hub_id))
    private = load_private_key(text)
    hub.signing_key = private
    own = str(device_id)
    if not mine:  # first sync with a key in this hub: the bundles written before it are legacy
        raw = encode_registration(private, device_id,
                                  folder_keys.unsigned_own(hub, device_id, state.pushed_seq), hub.key)
        mine = raw.decode("utf-8")
        with database.session() as session:
            SettingsService(session).put(keys.SYNC_REGISTERED.key(hub_id), mine)
    found = folder_keys.registrations(hub)
    if own not in found:
        folder_keys.write_registration(hub, device_id, mine.encode("utf-8"))
        found[own] = folder_keys.read_registration(folder_keys.registration_path(hub, device_id))
    trust = {own: decode_registration(mine.encode("utf-8"), hub.key, device_id)}
    _check_own(found[own], hub.key, device_id, public_bytes(private), report)
    changed = False
    for device, raw in found.items():
        if device == own:
            continue
        pin = pins.get(device)
        pinned = _from_pin(pin)
        try:
            registered = _decode(raw, hub.key, device)
        except RegistrationError as exc:
            report.notices.append(_("The key registration {file} is not used: {reason}.").format(
                file=folder_keys.registration_path(hub, device), reason=exc))
            if pinned is not None:
                trust[device] = pinned
            continue
        if pinned is None:
            pins[device] = {"key": base64.b64encode(registered.public_key).decode("ascii"),
                            "legacy": sorted(registered.legacy)}
            changed = True
            trust[device] = registered
        elif pinned.public_key != registered.public_key:
            reason = _("device {device} now has another signing key in the hub ({new}) than the "
                       "one this computer has known since it first saw it ({pinned}); someone "
                       "may be writing in its name, so its bundles are not read. Ask the team "
                       "who changed {file}").format(
                device=device, new=fingerprint(registered.public_key),
                pinned=fingerprint(pinned.public_key),
                file=folder_keys.registration_path(hub, device))
            report.notices.append(reason[:1].upper() + reason[1:] + ".")
            trust[device] = DeviceTrust(refused=reason)
        else:
            trust[device] = pinned
    for device, pin in pins.items():  # pinned, registration file gone: the pin still holds
        if device not in trust and (pinned := _from_pin(pin)) is not None:
            trust[device] = pinned
    if changed:
        with database.session() as session:
            SettingsService(session).put(keys.SYNC_PINNED.key(hub_id), pins)
    state.trust = trust


def _decode(raw: bytes | str, team_key: bytes, device: str) -> DeviceTrust:
    if isinstance(raw, str):
        raise RegistrationError(raw)
    return decode_registration(raw, team_key, uuid.UUID(device))


def _from_pin(pin: object) -> DeviceTrust | None:
    if not isinstance(pin, dict):
        return None
    try:
        key = base64.b64decode(str(pin.get("key")), validate=True)
    except ValueError:
        return None
    legacy = pin.get("legacy")
    return DeviceTrust(public_key=key, legacy=frozenset(
        v for v in legacy if isinstance(v, str)) if isinstance(legacy, list) else frozenset())


def _check_own(raw: bytes | str, team_key: bytes, device_id: uuid.UUID, public_key: bytes,
               report: SyncReport) -> None:
    """Report when the hub holds another key (or an unusable file) in this device's name."""
    try:
        registered = _decode(raw, team_key, str(device_id))
    except RegistrationError as exc:
        report.notices.append(_("This computer's key registration in the hub cannot be used "
                                "({reason}); the others may not read what it sends. Ask the "
                                "team who changed the hub's keys folder.").format(reason=exc))
        return
    if registered.public_key != public_key:
        report.notices.append(_("Another signing key ({other}) is registered in the hub in this "
                                "computer's name; this computer's key is {own}. Someone with "
                                "the team key may be writing in its name. Tell the team lead; "
                                "the others may not read what this computer sends.").format(
                                    other=fingerprint(registered.public_key),
                                    own=fingerprint(public_key)))
