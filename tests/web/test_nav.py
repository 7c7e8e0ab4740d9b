"""The programme links of the navigation (eduquality.web.nav): each role sees exactly the links
it may follow — every link shown is allowed, and a bureau page not linked is denied."""

from __future__ import annotations

import re

import pytest

EXPECTED = {
    "admin": ["/dropout", "/plan", "/programmes/2021/studios"],
    "res": ["/dropout", "/plan", "/programmes/2021/studios"],
    "lead": ["/dropout", "/plan", "/programmes/2021/studios"],
    "p1": ["/dropout/schools/S1", "/plan/schools/S1"],
    "p2": ["/dropout/schools/S2", "/plan/schools/S2"],
    "t1": ["/dropout/schools/S1", "/plan/schools/S1"],  # a teacher of S1
    "par": [],
}
PROGRAMME = re.compile(r'<a href="(/(?:dropout|plan|programmes)[^"]*)"')


def _nav(html: str) -> list[str]:
    nav = html.split("<nav>", 1)[1].split("</nav>", 1)[0]
    return PROGRAMME.findall(nav)


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_each_role_sees_the_links_it_may_follow(role_clients, user):
    client = role_clients[user]
    r = client.get("/")
    assert r.status_code == 200, r.text
    links = _nav(r.text)
    assert links == EXPECTED[user]
    for href in links:  # may open: never denied (the tiny district lacks some pages' data: 400)
        assert client_status(client, href) not in (403, 404), href


@pytest.mark.parametrize("user", ["t1", "par", "p1"])
def test_a_link_not_shown_does_not_open(role_clients, user):
    for href in ("/dropout", "/plan", "/programmes/2021/studios"):
        assert client_status(role_clients[user], href) == 404, (user, href)  # never 403


def client_status(client, href: str) -> int:
    return client.get(href).status_code


def test_the_links_speak_the_language(role_clients):
    nav = role_clients["admin"].get("/").text.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert "控辍保学" in nav and "名师工作室" in nav
