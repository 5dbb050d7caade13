"""A NumPy multilayer perceptron that trains like the TensorFlow Playground."""
