"""One page widget per step of meeting mode, each bound to the case presenter."""

from mdtboard.ui.meeting.pages.actions import ActionsPage
from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.pages.consensus import ConsensusPage
from mdtboard.ui.meeting.pages.histology import HistologyPage
from mdtboard.ui.meeting.pages.noms import NomsPage
from mdtboard.ui.meeting.pages.options import OptionsPage
from mdtboard.ui.meeting.pages.scores import ScoresPage
from mdtboard.ui.meeting.pages.signoff import SignoffPage
from mdtboard.ui.meeting.pages.summary import SummaryPage

__all__ = [
    "ActionsPage",
    "ConsensusPage",
    "HistologyPage",
    "NomsPage",
    "OptionsPage",
    "ScoresPage",
    "SignoffPage",
    "StepPage",
    "SummaryPage",
]
