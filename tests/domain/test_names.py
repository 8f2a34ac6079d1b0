"""Greetings from names as referral forms give them (issue 18: "Dear Dr Pryce")."""

from __future__ import annotations

import pytest

from mdtboard.domain.names import salutation


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Dr Olwen Pryce", "Dr Pryce"),
        ("  Dr   Olwen   Pryce ", "Dr Pryce"),
        ("Dr. Olwen Pryce", "Dr Pryce"),
        ("Mr T. Wrexley FRCS", "Mr Wrexley"),
        ("Dr Ian McDonald MBChB, FRCS (Orth)", "Dr McDonald"),
        ("Prof. Anna van der Berg", "Professor van der Berg"),
        ("Professor Sir Ewan Quell", "Professor Sir Quell"),
        ("Sister Maeve Holloway", "Sister Holloway"),
        ("Dr Olwen PRYCE", "Dr Pryce"),
        ("Dr Ann Ma", "Dr Ma"),  # a family name, not letters after it
        ("Dr Ann Lee MA PhD", "Dr Lee"),
        ("Pryce, Dr Olwen", "Dr Pryce"),
        ("Pryce, Olwen", "Olwen Pryce"),
        ("Olwen Pryce", "Olwen Pryce"),  # no title: the name as written
        ("Ms Imogen Castellane (demo)", "Ms Castellane"),
        ("Dr Pryce", "Dr Pryce"),
        ("Dr", "Dr"),
        ("", "Colleague"),
        ("Dr Ødegård Μαρία", "Dr Μαρία"),
    ],
)
def test_salutation(name: str, greeting: str) -> None:
    assert salutation(name) == greeting
