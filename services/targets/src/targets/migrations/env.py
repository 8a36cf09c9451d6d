from shared.migrations import run_env
from targets.models import Base

run_env(Base.metadata)
