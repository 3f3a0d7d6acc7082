from fastapi import APIRouter

from app import __version__
from app.core.protocol import HealthOut

router = APIRouter()


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    return HealthOut(version=__version__)
