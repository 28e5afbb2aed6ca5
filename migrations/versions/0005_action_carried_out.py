""""Carried out" becomes a record of its own: ``action_carried_out`` (issue 16, item 0).

An action belongs to the laptop that recorded the meeting, and only that laptop may change it;
a colleague's shift on another laptop could not mark it done. Now a shift that carries out an
action writes an ``action_carried_out`` record (action_id, shift_id, carried_out_at), owned by
the laptop whose shift did it, that syncs like any other record; undo is its tombstone.
``action.status`` keeps what the owner decides (planned or cancelled).

Today's state moves over: every action with status ``done`` gets one record

- owned by the action's device (the only one that could mark it done until now),
- linked to the shift in ``action.carried_out_shift_id`` (NULL where there was none),
- carried out at that shift's end (its start if it has none, the action's last change if
  there is no shift), created and updated at the action's last change,
- with a fixed id (a UUIDv5 of the action's id): every laptop that holds the action makes the
  same record with the same content, so the owner's push of it is already here elsewhere;

and its status becomes ``planned`` (the record says it was carried out). The action's
revision is unchanged: every laptop migrates it the same way. ``carried_out_shift_id`` is
dropped. Downgrade writes the earliest live record back into the action.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Fixed, so every laptop derives the same record id from the same action.
CARRIED_NAMESPACE = uuid.UUID("8d0c3f5e-2b7a-4e61-9f3d-1c5a7e9b2d40")
UNSENT = "revision > acked_revision"


def carried_id(action_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(CARRIED_NAMESPACE, f"action_carried_out:{action_id}")


def upgrade() -> None:
    op.create_table(
        "action_carried_out",
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("carried_out_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("acked_revision", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"],
                                name=op.f("fk_action_carried_out_action_id_action")),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"],
                                name=op.f("fk_action_carried_out_shift_id_shift")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_carried_out")),
    )
    with op.batch_alter_table("action_carried_out") as batch_op:
        batch_op.create_index("ix_action_carried_out_action", ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_carried_out_shift_id"), ["shift_id"],
                              unique=False)
        batch_op.create_index("ix_action_carried_out_unsent", ["device_id"], unique=False,
                              sqlite_where=sa.text(UNSENT))

    bind = op.get_bind()
    action = sa.table("action", sa.column("id", sa.Uuid()), sa.column("device_id", sa.Uuid()),
                      sa.column("updated_at", sa.String()), sa.column("status", sa.String()),
                      sa.column("carried_out_shift_id", sa.Uuid()))
    shift = sa.table("shift", sa.column("id", sa.Uuid()), sa.column("starts_at", sa.String()),
                     sa.column("ends_at", sa.String()))
    carried = sa.table("action_carried_out", sa.column("id", sa.Uuid()),
                       sa.column("device_id", sa.Uuid()), sa.column("revision", sa.Integer()),
                       sa.column("created_at", sa.String()), sa.column("updated_at", sa.String()),
                       sa.column("action_id", sa.Uuid()), sa.column("shift_id", sa.Uuid()),
                       sa.column("carried_out_at", sa.String()))
    done = bind.execute(
        sa.select(action.c.id, action.c.device_id, action.c.updated_at, shift.c.id,
                  sa.func.coalesce(shift.c.ends_at, shift.c.starts_at))
        .select_from(action.outerjoin(shift, shift.c.id == action.c.carried_out_shift_id))
        .where(action.c.status == "done")).all()
    rows = [{"id": carried_id(action_id), "device_id": device_id, "revision": 1,
             "created_at": changed, "updated_at": changed, "action_id": action_id,
             "shift_id": shift_id, "carried_out_at": shift_time or changed}
            for action_id, device_id, changed, shift_id, shift_time in done]
    if rows:
        bind.execute(sa.insert(carried), rows)
    bind.execute(sa.update(action).where(action.c.status == "done").values(status="planned"))

    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_constraint("fk_action_carried_out_shift_id_shift", type_="foreignkey")
        batch_op.drop_column("carried_out_shift_id")


def downgrade() -> None:
    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("carried_out_shift_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key("fk_action_carried_out_shift_id_shift", "shift",
                                    ["carried_out_shift_id"], ["id"])
    bind = op.get_bind()
    first = bind.execute(sa.text(
        "SELECT action_id, shift_id FROM action_carried_out WHERE deleted_at IS NULL "
        "ORDER BY carried_out_at DESC, id DESC")).all()
    for action_id, shift_id in first:  # the earliest is written last and stays
        bind.execute(sa.text("UPDATE action SET status = 'done', carried_out_shift_id = :shift "
                             "WHERE id = :action"),
                     {"shift": shift_id, "action": action_id})
    with op.batch_alter_table("action_carried_out") as batch_op:
        batch_op.drop_index("ix_action_carried_out_unsent", sqlite_where=sa.text(UNSENT))
        batch_op.drop_index(batch_op.f("ix_action_carried_out_shift_id"))
        batch_op.drop_index("ix_action_carried_out_action")
    op.drop_table("action_carried_out")
