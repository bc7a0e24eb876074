"""The state of payments back into Focus: what the tool showed per booked document, each Focus write recorded
before it is sent, the payment feed, and who is told about new payments (``connectors.payments``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connectors.state.models import Base, _now
from connectors.state.types import UtcDateTime


class PaymentStatus(Base):
    """What the tool last showed for one booked document, and what the back-fill concluded from it.

    A document is looked at again only when the tool's view of it changes (or a Focus write is still to
    do), so a payment registered by hand in Focus, or a booking missing from the tool, is noted once."""

    __tablename__ = "payment_status"

    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True)
    source_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    focus_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Still open in the tool, signed like the document (None: not among the open items).
    tool_open: Mapped[str | None] = mapped_column(String(32))
    #: open | partly_paid | settled | missing | hand_paid | pending
    outcome: Mapped[str] = mapped_column(String(16))
    last_payment: Mapped[dt.date | None] = mapped_column(Date)
    checked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)


class PaymentRegistration(Base):
    """One payment (or removal) the connector writes to Focus, recorded before the call is made.

    ``seq`` numbers the writes per document: two workers that compute the same next write collide on the
    unique key and only one sends it. ``sending`` rows whose lease ran out are checked in Focus (the
    document's payments) before anything for that document is sent again."""

    __tablename__ = "payment_registrations"
    __table_args__ = (UniqueConstraint("integration_id", "source_type", "focus_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    source_type: Mapped[str] = mapped_column(String(32))
    focus_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    #: register (a payment in Focus) | remove (the connector's payments taken away) | note (no Focus call exists)
    action: Mapped[str] = mapped_column(String(16))
    amount: Mapped[str] = mapped_column(String(32))  # Decimal text, signed as sent to Focus
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[dt.date | None] = mapped_column(Date)
    #: What the tool showed open when this was decided (Decimal text; None: settled).
    tool_open: Mapped[str | None] = mapped_column(String(32))
    settles: Mapped[bool] = mapped_column(Boolean, default=False)
    #: sending | registered | not_sent | failed
    state: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str | None] = mapped_column(String(255))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    focus_payment_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class PaymentFeedEntry(Base):
    """A new payment on an outgoing invoice or credit note: the in-app feed, and what digests are made of."""

    __tablename__ = "payment_feed"
    __table_args__ = (UniqueConstraint("registration_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("payment_registrations.id", ondelete="CASCADE"))
    source_type: Mapped[str] = mapped_column(String(32))
    focus_id: Mapped[str] = mapped_column(String(64))
    document_kind: Mapped[str] = mapped_column(String(32))  # sales_invoice | sales_credit_note
    number: Mapped[str] = mapped_column(String(64))
    customer: Mapped[str] = mapped_column(String(255))
    amount: Mapped[str] = mapped_column(String(32))  # Decimal text, positive: what was received (or matched)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[dt.date | None] = mapped_column(Date)
    in_full: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, index=True)


class PaymentSubscription(Base):
    """One user who asked to be told about new invoice payments of one integration."""

    __tablename__ = "payment_subscriptions"
    __table_args__ = (UniqueConstraint("integration_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class PaymentDelivery(Base):
    """A feed entry mailed to a subscriber: entries without a row for a subscriber go in their next digest."""

    __tablename__ = "payment_deliveries"

    subscription_id: Mapped[int] = mapped_column(ForeignKey("payment_subscriptions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("payment_feed.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
