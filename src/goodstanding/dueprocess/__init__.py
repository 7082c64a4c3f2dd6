"""Due process: statements of reasons (DSA Transparency Database format), notices to the
people affected, and the transparency report."""
