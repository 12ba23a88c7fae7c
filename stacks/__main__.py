"""What ``pulumi up`` runs (Pulumi.yaml: ``main: stacks/``)."""

import os
import sys

# The Pulumi CLI runs this file with stacks/ as the working directory; the packages
# (components, stacks) live one level up.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from stacks.program import main  # noqa: E402

main()
