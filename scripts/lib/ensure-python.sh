#!/usr/bin/env bash
# Installs the Python clients the end-to-end suites use, when they are missing.
set -euo pipefail
need=()
python3 -c "import boto3" 2>/dev/null || need+=(boto3)
python3 -c "import pytest" 2>/dev/null || need+=(pytest)
command -v aws >/dev/null 2>&1 || need+=(awscli)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  python3 -m pip install -q "${need[@]}"
fi
echo "python clients: boto3 $(python3 -c 'import boto3; print(boto3.__version__)'), $(aws --version 2>&1 | cut -d' ' -f1)"
