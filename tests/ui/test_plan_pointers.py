"""Where to plan, said truly on each page (issue 31): the Plan button is drawn on the Data,
Coverage and Roster pages; a page with it says "above" and, on the Data page, that the rules are
changed below; a page without it sends the manager to the Data page, with a link."""

from __future__ import annotations

from scheduler.ui import state
from tests.ui.conftest import OpenPage, texts


def test_each_page_says_where_its_plan_button_is(open_page: OpenPage) -> None:
    for name in ("data", "coverage", "roster"):
        at = open_page(name)
        assert [b for b in at.button if b.key == state.W_PLAN_BUTTON], name
        said = texts(at)
        assert "Coverage page" not in said, name
        if name == "data":
            assert "Change them below" in said and "on the Data page" not in said
        else:
            assert "Change them on the Data page" in said, name
            assert "No plan yet: press **▶ 排班 Plan the week** above" in said, name
    for name in ("whatif", "export"):
        at = open_page(name)
        assert not [b for b in at.button if b.key == state.W_PLAN_BUTTON], name
        assert "No plan yet: press **▶ 排班 Plan the week** on the Data page" in texts(at), name
        (link,) = at.get("page_link")
        assert link.proto.label == "→ 数据 Data" and link.proto.page == "", name  # the default
