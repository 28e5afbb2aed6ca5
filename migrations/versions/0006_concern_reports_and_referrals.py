"""Reports of concern and referrals: two counts of a shift, not one (issue 16, item 2).

Until now a shift had one count, ``referrals_made``. The end-shift dialog asked for it as
"Reports of concern made" (orosanmälningar: reports to the social services), while the
edit-shift dialog, the lists, the PDF and the XLSX called the same number "Referrals"
(hänvisningar: guidance to activities). In the field these are two different things, so a
shift now has ``concern_reports`` and ``referrals``.

Where today's values go: into ``concern_reports`` (the column is renamed; ``referrals``
starts at 0). No record says which dialog wrote a value, so the decision follows where the
numbers are entered: every shift's counts are entered once, when it ends, in the end-shift
dialog, which asked for reports of concern; the edit dialog is for correcting a saved shift
afterwards and showed the value the end-shift dialog had written. A value entered as a
referral in the edit dialog is the exception and cannot be told apart; the team can move it
in the edit dialog, where both counts are now asked for by their own names.

Received envelopes from an older version carry ``referrals_made``: it is read as
``concern_reports`` the same way (``fieldapp.sync.envelope.RENAMED_FIELDS``).

Downgrade: ``concern_reports`` becomes ``referrals_made`` again; ``referrals`` is dropped.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shift") as batch_op:
        batch_op.alter_column("referrals_made", new_column_name="concern_reports",
                              existing_type=sa.Integer(), existing_nullable=False)
        batch_op.add_column(sa.Column("referrals", sa.Integer(), server_default="0",
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("shift") as batch_op:
        batch_op.drop_column("referrals")
        batch_op.alter_column("concern_reports", new_column_name="referrals_made",
                              existing_type=sa.Integer(), existing_nullable=False)
