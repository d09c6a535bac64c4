from keras_signgan.cli import main

main()
