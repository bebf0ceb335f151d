"""pos.plugin is the one module a processor plugin imports from: its names must not disappear."""

from __future__ import annotations

import dataclasses

import pos.plugin

# What the README promises processor authors. Removing or renaming one breaks installed plugins.
PROMISED = {
    "ENTRY_POINT_GROUP", "ChargeRequest", "InvalidInput", "PaymentProcessor", "PaymentResult", "PosError",
    "PreparedPayment", "RefundRequest", "mask_card_numbers", "mask_stray_card_numbers", "register", "registered", "require",
    "unregister",
}


def test_every_name_promised_to_plugin_authors_is_importable_from_pos_plugin():
    missing = {name for name in PROMISED if not hasattr(pos.plugin, name)}
    assert missing == set()
    assert PROMISED <= set(pos.plugin.__all__)


def test_the_entry_point_group_plugins_register_under_is_the_one_pos_reads():
    from pos.services.payments import installed

    assert pos.plugin.ENTRY_POINT_GROUP == "pos.payment_processors"
    assert {"cash", "card"} <= set(installed())


def test_the_request_and_result_a_plugin_sees_keep_their_fields():
    fields = {f.name for f in dataclasses.fields(pos.plugin.ChargeRequest)}
    assert {"order_id", "amount", "currency", "idempotency_key", "payment"} <= fields
    assert {f.name for f in dataclasses.fields(pos.plugin.PaymentResult)} >= {"approved", "reason", "reference", "change_due"}
    assert {f.name for f in dataclasses.fields(pos.plugin.PreparedPayment)} >= {"brand", "last4", "tendered", "secret"}


def test_the_built_in_processors_are_plugins_of_the_public_interface():
    from pos.services.payments import get_processor

    assert isinstance(get_processor("card"), pos.plugin.PaymentProcessor)
    assert isinstance(get_processor("cash"), pos.plugin.PaymentProcessor)
