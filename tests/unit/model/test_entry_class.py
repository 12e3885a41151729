"""Entry.of_class: the builders' one way of finding what an entry's class calls for."""

from __future__ import annotations

from cecap.model.entry import Entry

BY_CLASS = {"gluece": "ce", "gluevoview": "view"}


def test_the_class_the_source_named_decides() -> None:
    assert Entry("dn", {"objectclass": ("GlueVOView",)}, kind="gluece").of_class(BY_CLASS) == "ce"
    assert Entry("dn", {}, kind="gluesite").of_class(BY_CLASS) is None


def test_without_one_the_first_class_in_the_mappings_order_decides() -> None:
    both = Entry("dn", {"objectclass": (" GlueVOView", "GLUECE")})
    assert both.of_class(BY_CLASS) == "ce"
    assert Entry("dn", {"objectclass": ("GlueVOView",)}).of_class(BY_CLASS) == "view"
    assert Entry("dn", {"objectclass": ("GlueSE",)}).of_class(BY_CLASS) is None
