"""guarantee-registry: credit-guarantee companies (担保体系), capital and injections, capacity, coverage per league."""
