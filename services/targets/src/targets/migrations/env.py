from shared.migrations import run_env
from targets.database import Base

run_env(Base.metadata)
