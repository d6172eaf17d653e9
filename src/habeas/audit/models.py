from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AuditEvent(models.Model):
    """One write (or sensitive read), chained to its predecessor by SHA-256.

    ``hash`` = SHA-256 of the canonical JSON of every other field, ``prev_hash`` included, so an
    edited, removed or reordered event breaks the chain at that point.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    facility_id = models.BigIntegerField(_("facility"), null=True, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["person_id", "seq"], name="audit_person_seq"),
            models.Index(fields=["facility_id", "seq"], name="audit_facility_seq"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row holding the chain's head. Writers lock it, so events are appended in order."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """A signed statement of the chain's length and head at a moment (``audit.anchor``).

    Kept here for convenience and also appended to a file outside the database and handed to
    inspectors: someone who can rewrite this table can rewrite these rows too, but not the copies
    held elsewhere, nor forge a signature without the key file."""

    seq = models.BigIntegerField(_("events"))
    hash = models.CharField(_("head hash"), max_length=64)
    at = models.CharField(_("at"), max_length=32)  # the canonical moment that was signed
    key_id = models.CharField(_("key"), max_length=16)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["seq", "id"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} {self.hash[:12]}"
