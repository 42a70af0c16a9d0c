from papertriage.cli.fastpath import main

main()
