from papertriage.fastpath import main

main()
