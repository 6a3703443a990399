import os

# These tests drive the production stack that scripts/prod-stack.sh starts (`make test-stack`);
# without it there is nothing to test against.
collect_ignore_glob = [] if os.environ.get("STACK_URL") else ["test_*.py"]
